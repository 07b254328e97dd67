"""The controller framework: everything between a watch event and a reconciler, for any kind.

Nothing in here knows about Ray. A controller is a description (:mod:`.controller`: the primary
kind, the kinds it owns, extra watches with mappers) plus a reconciler built on :mod:`.reconciler`;
the runtime builds informers, queues and workers from the list of descriptions.
"""
