"""Intake: a pasted news report read into proposed claims, sources and figures."""
