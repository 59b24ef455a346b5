"""The conv core's folder: design, trace and the Core class."""
