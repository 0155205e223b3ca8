"""KPIs with norms, measurements, SMART objectives, effect measurement and feedback."""
