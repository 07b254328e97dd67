"""HTTP clients of Ray dashboards and Serve proxies (KubeRay section 5).

``client`` has the API the RayJob/RayService reconcilers use (:class:`~.client.Dashboards`,
:class:`~.client.DashboardClient`, :class:`~.client.DashboardError`); ``addressing`` decides where the
traffic goes (direct, API-server proxy, ``--ray-address-override``). Nothing is imported here:
``ray_operator.config`` imports ``addressing`` and must not pull in the client.
"""
