"""gunicorn settings for every way the app is served: `make run`, the Schemathesis run and production
(`gunicorn -c config/gunicorn.conf.py config.wsgi --workers 4 --bind 0.0.0.0:8000`).

The access log names the path, never the query string or the referrer: searches carry names, phone and
ID numbers there (?search=138…), and the log is kept and shipped where masking cannot follow. Each line
ends with the request id, which also tags every application log line of that request.
"""

wsgi_app = "config.wsgi"
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
timeout = 60
