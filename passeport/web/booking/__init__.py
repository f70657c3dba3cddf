"""Pages of the booking invitations: the référent proposes slots, the person picks one
in their space or through a single-use link."""
