import io
import tarfile

from common import IMAGE, ClientTestCase
import docker.errors


class ContainerTests(ClientTestCase):
    def test_run_returns_output_and_exit_codes(self):
        out = self.client.containers.run(IMAGE, ["echo", "hello"], name=self.name("echo"), remove=True)
        self.assertEqual(out, b"hello\n")
        with self.assertRaises(docker.errors.ContainerError) as failed:
            self.client.containers.run(IMAGE, ["sh", "-c", "echo oops >&2; exit 3"], name=self.name("fail"))
        self.assertEqual(failed.exception.exit_status, 3)
        self.assertIn(b"oops", failed.exception.stderr)

    def test_detached_lifecycle(self):
        c = self.client.containers.run(IMAGE, ["sleep", "300"], name=self.name("life"), detach=True,
                                       environment={"A": "b"}, labels={"team": "berth"}, working_dir="/tmp")
        c.reload()
        self.assertEqual(c.status, "running")
        self.assertEqual(c.labels["team"], "berth")
        self.assertIn("A=b", c.attrs["Config"]["Env"])
        self.assertEqual(c.attrs["Config"]["WorkingDir"], "/tmp")
        self.assertTrue(c.attrs["State"]["Pid"] > 0)
        listed = self.client.containers.list(filters={"label": "team=berth", "name": self.name("life")})
        self.assertEqual([x.id for x in listed], [c.id])
        c.rename(self.name("renamed"))
        c.reload()
        self.assertEqual(c.name, self.name("renamed"))
        c.stop(timeout=1)
        self.assertEqual(c.wait(timeout=30)["StatusCode"], 137)
        c.reload()
        self.assertEqual(c.status, "exited")
        c.remove()
        with self.assertRaises(docker.errors.NotFound):
            self.client.containers.get(c.id)

    def test_kill_and_restart(self):
        # PID 1 gets only the signals it handles: a trap, so that TERM ends it with 143.
        c = self.client.containers.run(IMAGE, ["sh", "-c", "trap 'exit 143' TERM; while :; do sleep 0.1; done"],
                                       name=self.name("kill"), detach=True)
        c.kill(signal="SIGTERM")
        self.assertEqual(c.wait(timeout=30)["StatusCode"], 143)
        c.start()
        c.reload()
        self.assertEqual(c.status, "running")
        c.restart(timeout=0)
        c.reload()
        self.assertEqual(c.status, "running")

    def test_name_conflict_and_unknown_container(self):
        self.client.containers.create(IMAGE, ["true"], name=self.name("dup"))
        with self.assertRaises(docker.errors.APIError) as conflict:
            self.client.containers.create(IMAGE, ["true"], name=self.name("dup"))
        self.assertEqual(conflict.exception.status_code, 409)
        with self.assertRaises(docker.errors.NotFound):
            self.client.containers.get(self.name("missing"))

    def test_archive_round_trip(self):
        c = self.client.containers.run(IMAGE, ["sleep", "300"], name=self.name("cp"), detach=True)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = b"from docker-py\n"
            info = tarfile.TarInfo("greeting.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        self.assertTrue(c.put_archive("/tmp", buf.getvalue()))
        self.assertEqual(c.exec_run(["cat", "/tmp/greeting.txt"]).output, b"from docker-py\n")
        stream, stat = c.get_archive("/tmp/greeting.txt")
        self.assertEqual(stat["name"], "greeting.txt")
        self.assertEqual(stat["size"], 15)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            self.assertEqual(tar.extractfile("greeting.txt").read(), b"from docker-py\n")

    def test_attach_socket_sees_output(self):
        c = self.client.containers.create(IMAGE, ["sh", "-c", "echo one; echo two >&2"], name=self.name("attach"))
        stream = c.attach(stdout=True, stderr=True, stream=True, logs=True)
        c.start()
        self.assertEqual(c.wait(timeout=30)["StatusCode"], 0)
        self.assertEqual(b"".join(stream), b"one\ntwo\n")
