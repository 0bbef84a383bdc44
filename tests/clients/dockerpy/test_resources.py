import io
import random

from common import IMAGE, ClientTestCase
import docker.errors
import docker.types


class ImageTests(ClientTestCase):
    def test_list_get_tag_history_remove(self):
        base = self.client.images.get(IMAGE)
        self.assertIn(IMAGE, base.tags)
        self.assertTrue(base.id.startswith("sha256:"))
        self.assertTrue(base.tag(self.name("img"), tag="v1"))
        tagged = self.client.images.get(self.name("img") + ":v1")
        self.assertEqual(tagged.id, base.id)
        self.assertTrue(len(tagged.history()) >= 1)
        self.assertIn(tagged.id, [i.id for i in self.client.images.list(name=self.name("img"))])
        self.client.images.remove(self.name("img") + ":v1")
        with self.assertRaises(docker.errors.ImageNotFound):
            self.client.images.get(self.name("img") + ":v1")

    def test_save_and_load(self):
        base = self.client.images.get(IMAGE)
        base.tag(self.name("saved"), tag="x")
        data = b"".join(self.client.images.get(self.name("saved") + ":x").save(named=self.name("saved") + ":x"))
        self.client.images.remove(self.name("saved") + ":x")
        loaded = self.client.images.load(io.BytesIO(data).read())
        self.assertEqual([i.id for i in loaded], [base.id])
        self.assertIn(self.name("saved") + ":x", self.client.images.get(base.id).tags)

    def test_commit_makes_an_image(self):
        c = self.client.containers.run(IMAGE, ["sh", "-c", "echo made > /made"], name=self.name("commit"), detach=True)
        c.wait(timeout=30)
        image = c.commit(repository=self.name("committed"), tag="1", changes=["ENV K=v"])
        self.assertIn("K=v", image.attrs["Config"]["Env"])
        out = self.client.containers.run(image.id, ["cat", "/made"], name=self.name("check"), remove=True)
        self.assertEqual(out, b"made\n")


class VolumeTests(ClientTestCase):
    def test_volume_shared_between_containers(self):
        vol = self.client.volumes.create(self.name("data"), labels={"k": "v"})
        self.assertEqual(vol.attrs["Driver"], "local")
        self.assertEqual(vol.attrs["Labels"], {"k": "v"})
        self.client.containers.run(IMAGE, ["sh", "-c", "echo kept > /data/f"], name=self.name("w"),
                                   volumes={vol.name: {"bind": "/data", "mode": "rw"}}, remove=True)
        out = self.client.containers.run(IMAGE, ["cat", "/data/f"], name=self.name("r"),
                                         volumes={vol.name: {"bind": "/data", "mode": "ro"}}, remove=True)
        self.assertEqual(out, b"kept\n")
        self.assertEqual([v.name for v in self.client.volumes.list(filters={"label": "k=v", "name": self.name("data")})], [vol.name])

    def test_in_use_volume_is_409(self):
        vol = self.client.volumes.create(self.name("busy"))
        self.client.containers.create(IMAGE, ["true"], name=self.name("user"), volumes={vol.name: {"bind": "/v"}})
        with self.assertRaises(docker.errors.APIError) as busy:
            vol.remove()
        self.assertEqual(busy.exception.status_code, 409)

    def test_tmpfs_and_mount_objects(self):
        mount = docker.types.Mount("/m", self.name("mnt"), type="volume")
        out = self.client.containers.run(IMAGE, ["sh", "-c", "grep -c ' /t tmpfs ' /proc/mounts; touch /m/x && echo ok"],
                                         name=self.name("mounts"), mounts=[mount], tmpfs={"/t": "size=1m"}, remove=True)
        self.assertEqual(out, b"1\nok\n")


class NetworkTests(ClientTestCase):
    def test_user_network_with_static_ip_and_alias(self):
        subnet = "10.231.%d" % random.randint(0, 255)
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet + ".0/24", gateway=subnet + ".1")])
        net = self.client.networks.create(self.name("net"), driver="bridge", ipam=ipam, labels={"k": "v"})
        self.assertEqual(net.attrs["IPAM"]["Config"][0]["Subnet"], subnet + ".0/24")
        first = self.client.containers.run(IMAGE, ["sleep", "300"], name=self.name("first"), network=net.name, detach=True)
        first.reload()
        self.assertTrue(first.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"].startswith(subnet + "."))
        second = self.client.containers.run(IMAGE, ["sleep", "300"], name=self.name("second"), detach=True)
        net.connect(second, ipv4_address=subnet + ".9", aliases=["svc"])
        self.assertIn((subnet + ".9/24").encode(), second.exec_run(["ip", "-4", "-o", "addr"]).output)
        net.reload()
        self.assertEqual(sorted(x.id for x in net.containers), sorted([first.id, second.id]))
        self.assertEqual(second.exec_run(["ping", "-c", "1", "-W", "5", first.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"]]).exit_code, 0)
        net.disconnect(second)
        self.assertNotIn((subnet + ".9/24").encode(), second.exec_run(["ip", "-4", "-o", "addr"]).output)
        with self.assertRaises(docker.errors.APIError) as busy:
            net.remove()
        self.assertEqual(busy.exception.status_code, 403)
        first.remove(force=True)
        net.remove()
        with self.assertRaises(docker.errors.NotFound):
            self.client.networks.get(net.id)
