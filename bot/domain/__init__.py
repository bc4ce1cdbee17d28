"""The capacity plan as data and the pure arithmetic over it. No I/O, no clock."""
