"""An OpenC2 consumer built from otupy (PyPI), for the openc2-http executor tests.

It serves OpenC2 HTTPS transfer 1.1 on POST /.well-known/openc2 at 127.0.0.1:PORT with otupy's
SLPF mockup actuator (asset id `mockup`), which answers `query features` with 200 and every
other action with 501. Usage: otupy_consumer.py PORT
"""
import sys

import flask
import otupy as oc2
from otupy.actuators.slpf.mockup_slpf_actuator import MockupSlpfActuator
from otupy.encoders.json import JSONEncoder
from otupy.transfers.http import HTTPTransfer
import otupy.profiles.slpf as slpf

# otupy starts Flask in debug mode, whose reloader forks a second server process. The test
# stops the consumer by its process id, so it must stay one process.
_flask_run = flask.Flask.run


def _run_in_this_process(self, *args, **kwargs):
    kwargs["debug"] = False
    kwargs["use_reloader"] = False
    return _flask_run(self, *args, **kwargs)


flask.Flask.run = _run_in_this_process

port = int(sys.argv[1])
actuators = {(slpf.Profile.nsid, 'mockup'): MockupSlpfActuator()}
consumer = oc2.Consumer("cacao-test-consumer", actuators, JSONEncoder(), HTTPTransfer("127.0.0.1", port))
consumer.run()
