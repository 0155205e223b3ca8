from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Management review")

    def ready(self):
        # Hooks this app registers with the core (and the cockpit), one block each.
        # reviews
        # cockpit
        pass
