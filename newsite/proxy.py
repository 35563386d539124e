"""The client's address behind reverse proxies.

gunicorn sets ``REMOTE_ADDR`` to its peer, which behind nginx is nginx: every reader
would share one rate limit. With ``TRUSTED_PROXY_HOPS=N`` (N proxies of our own in
front: nginx alone is 1, a load balancer and nginx 2) ``REMOTE_ADDR`` becomes the
address the outermost of them saw, the N-th entry from the right of
``X-Forwarded-For``. Entries further left were written by the client and are never
trusted. The rest of the site reads ``REMOTE_ADDR`` only (articles.ratelimit.client_ip).
"""

import ipaddress


class ForwardedFor:
    def __init__(self, app, hops: int):
        self.app = app
        self.hops = hops

    @classmethod
    def wrap(cls, app):
        from django.conf import settings

        hops = settings.TRUSTED_PROXY_HOPS
        return cls(app, hops) if hops else app

    def __call__(self, environ, start_response):
        forwarded = [x.strip() for x in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [x for x in forwarded if x]
        if len(forwarded) >= self.hops:
            candidate = forwarded[-self.hops]
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                pass  # a proxy of ours wrote garbage: keep the peer address
            else:
                environ["REMOTE_ADDR"] = candidate
        return self.app(environ, start_response)
