# ERROR: Missing target block # ERROR: Missing persona block # ERROR: Missing stage block
