"""Shared set-up for the docker-py suite: a client on DOCKER_HOST and per-test resource cleanup.

The suite runs with Debian's python3-docker against a berthd the C# harness started; every name
a test creates carries a per-run prefix so that cleanup removes only what this run made.
"""
import os
import unittest
import uuid

import docker

IMAGE = os.environ.get("BERTH_TEST_IMAGE", "busybox:latest")


class ClientTestCase(unittest.TestCase):
    def setUp(self):
        self.client = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], timeout=60)
        self.prefix = "py-" + uuid.uuid4().hex[:8] + "-"
        self.addCleanup(self.client.close)
        self.addCleanup(self._remove_created)

    def name(self, suffix):
        return self.prefix + suffix

    def _remove_created(self):
        for c in self.client.containers.list(all=True):
            if c.name.startswith(self.prefix):
                c.remove(force=True, v=True)
        for n in self.client.networks.list():
            if n.name.startswith(self.prefix):
                n.remove()
        for v in self.client.volumes.list():
            if v.name.startswith(self.prefix):
                v.remove(force=True)
        for i in self.client.images.list():
            for tag in i.tags:
                if tag.startswith(self.prefix):
                    self.client.images.remove(tag, force=True)
