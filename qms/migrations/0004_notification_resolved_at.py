from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0003_user_provisioned_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="done at"),
        ),
    ]
