"""Signals of the directory, for the apps above it (the path's timeline lives in
`paths`, which the directory may not import).

Every signal is sent inside the transaction of the change (a receiver that writes, e.g.
a timeline event, commits or rolls back with it), with `sender=Orientation` and:

- `orientation`: the Orientation (person, service, partner, sender, status …);
- `event`: the OrientationEvent just recorded (action, from_status, to_status, author,
  organisation, refusal_reason, comment);
- `actor`: the passeport.core.actor.Actor who acted (Actor.system() for expiry).

`orientation_created`: a référent oriented a person to a partner's service.
`orientation_answered`: the partner accepted, refused or asked for information.
`orientation_status_changed`: any change of status (the answers above, the sender's
  complement or cancellation, expiry); sent after `orientation_answered` for answers.
"""

from django.dispatch import Signal

orientation_created = Signal()
orientation_answered = Signal()
orientation_status_changed = Signal()
