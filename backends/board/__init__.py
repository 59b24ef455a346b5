"""Boards: profiles, PLL settings, the board top and its pin constraints."""
