SELECT name FROM units
