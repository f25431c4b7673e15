from django.conf import settings
from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200, blank=True)


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    plan = models.CharField(max_length=20, default="free")
