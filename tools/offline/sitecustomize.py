# Imported by Python at start-up when tools/offline is on PYTHONPATH (tools/offline/run does that):
# every Python process of the build and the tests refuses network connections off this machine.
import offline_guard

offline_guard.install()
