"""onceonly-demo: drives dossiers through the gateway as agency systems would, then checks the
tracker's figures against the ground truth computed from what was sent."""
