from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from org.roles import roles_sync_after_migrate

        # Permissions only exist after migrate, so the role groups are kept in step
        # here rather than in a data migration.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="org.roles_sync")
