"""Tables of the audits app, one module per part: audits (the audit and its workflow), model (levels, principles, cycle, themes), library (good examples), reports."""
