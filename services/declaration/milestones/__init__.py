"""Customs milestones from the track (CEB507 arrival, CEB509 departure, CEB513 signed-for) for carriers."""
