"""Trainable modules: parameters, neurons with surrogate gradients, layers, attention, SSM, MLP and the spiking
transformer; their forward passes call the functional definitions in sc_neurocore.models."""
