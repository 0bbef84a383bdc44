import datetime

from common import IMAGE, ClientTestCase


class ExecTests(ClientTestCase):
    def setUp(self):
        super().setUp()
        self.c = self.client.containers.run(IMAGE, ["sleep", "300"], name=self.name("exec"), detach=True)

    def test_exec_run_output_exit_code_env_user_workdir(self):
        r = self.c.exec_run(["sh", "-c", "echo $X $(id -u) $(pwd); exit 4"], environment={"X": "y"}, user="nobody", workdir="/tmp")
        self.assertEqual(r.exit_code, 4)
        self.assertEqual(r.output, b"y 65534 /tmp\n")

    def test_exec_demux_and_stream(self):
        r = self.c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
        self.assertEqual(r.output, (b"out\n", b"err\n"))
        r = self.c.exec_run(["sh", "-c", "for i in 1 2 3; do echo $i; done"], stream=True)
        self.assertEqual(b"".join(r.output), b"1\n2\n3\n")

    def test_exec_low_level_api_inspect(self):
        api = self.client.api
        exec_id = api.exec_create(self.c.id, ["sh", "-c", "exit 7"])["Id"]
        api.exec_start(exec_id)
        info = api.exec_inspect(exec_id)
        self.assertEqual(info["ExitCode"], 7)
        self.assertFalse(info["Running"])
        self.assertEqual(info["ContainerID"], self.c.id)


class LogTests(ClientTestCase):
    def test_logs_streams_tail_timestamps(self):
        c = self.client.containers.run(IMAGE, ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo problem >&2"],
                                       name=self.name("logs"), detach=True)
        self.assertEqual(c.wait(timeout=30)["StatusCode"], 0)
        self.assertEqual(c.logs(stdout=True, stderr=False), b"line1\nline2\nline3\nline4\nline5\n")
        self.assertEqual(c.logs(stdout=False, stderr=True), b"problem\n")
        self.assertEqual(c.logs(tail=2), b"line5\nproblem\n")
        first = c.logs(timestamps=True).split(b"\n")[0].decode()
        stamp, text = first.split(" ", 1)
        self.assertEqual(text, "line1")
        parsed = datetime.datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
        self.assertLess(abs((datetime.datetime.utcnow() - parsed).total_seconds()), 600)

    def test_follow_ends_when_container_exits(self):
        c = self.client.containers.run(IMAGE, ["sh", "-c", "echo a; sleep 1; echo b"], name=self.name("follow"), detach=True)
        self.assertEqual(b"".join(c.logs(stream=True, follow=True)), b"a\nb\n")
