"""The annual management review (ISO 9001 clause 9.3): the pack assembled from the system's own data,
the meeting (attendees, decisions, actions) and the frozen pack as a PDF for the board."""
