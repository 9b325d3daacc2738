label = upper("x") # ERROR: Function calls not allowed
