"""What the skills app does when the jobs app below it tells of an event."""

from django.dispatch import receiver

from passeport.jobs.signals import immersion_assessed

from .services import immersion_evaluations_record


@receiver(immersion_assessed, dispatch_uid="skills.immersion_assessed")
def on_immersion_assessed(sender, immersion, actor, skill_levels, **kwargs) -> None:
    immersion_evaluations_record(actor=actor, immersion=immersion, skill_levels=skill_levels)
