from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0005_notification_email_due_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalorganisationunit",
            name="two_factor_required",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Everyone with a role in this organisation logs in with a code from an authenticator app.",
                verbose_name="two-factor login required",
            ),
        ),
        migrations.AddField(
            model_name="organisationunit",
            name="two_factor_required",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Everyone with a role in this organisation logs in with a code from an authenticator app.",
                verbose_name="two-factor login required",
            ),
        ),
    ]
