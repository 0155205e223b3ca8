"""Risk register: risks, owners, mitigation plans, board and group approval, annual reviews."""
