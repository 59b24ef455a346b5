"""The host side of the board link (docs/host_link.md): frames, transports (serial port, Icarus), HostLink."""
