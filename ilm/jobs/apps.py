from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "ilm.jobs"
    label = "jobs"
    verbose_name = _("Job marketplace")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ilm.jobs import models
        from ilm.jobs.public_cache import public_pages_changed

        # What the public pages show: any change forgets the cached pages (ilm/jobs/public_cache.py).
        shown = [models.Vacancy, models.VacancyFee, models.VacancyTranslation, models.EmployerReview]
        for model in shown:
            post_save.connect(public_pages_changed, sender=model, dispatch_uid=f"jobs-public-{model.__name__}-save")
            post_delete.connect(public_pages_changed, sender=model, dispatch_uid=f"jobs-public-{model.__name__}-del")
