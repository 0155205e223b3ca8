from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Management review")

    def ready(self):
        # Hooks this app registers with the core (and the cockpit), one block each.
        # reviews
        # cockpit
        from qms.choices import Role
        from qms.cockpit import register_tile
        from reviews.selectors import cockpit

        # The board reads the last management review in its cockpit (and its quality officers and group
        # management the review being prepared).
        register_tile(
            "management_review",
            roles={Role.BOARD_MEMBER, Role.QUALITY_OFFICER, Role.GROUP_MANAGEMENT},
            title=_("Management review"),
            order=60,
            compute=cockpit.review_tile,
            icon="journal-check",
        )
