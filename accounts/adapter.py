from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        super().populate_username(request, user)
        if not user.display_name and user.email:
            user.display_name = user.email.split("@", 1)[0][:80]
