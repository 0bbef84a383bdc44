using Berth.Daemon.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

// Cases taken from moby daemon/pkg/opts/hosts_test.go (TestParseDockerDaemonHost), with
// Berth's default socket in place of /var/run/docker.sock.
public class HostAddressTests
{
    [Theory]
    [InlineData(":", "tcp://localhost:2375")]
    [InlineData(":5555", "tcp://localhost:5555")]
    [InlineData("0.0.0.1:", "tcp://0.0.0.1:2375")]
    [InlineData("0.0.0.1:5555", "tcp://0.0.0.1:5555")]
    [InlineData("[::1]", "tcp://[::1]:2375")]
    [InlineData("[::1]:", "tcp://[::1]:2375")]
    [InlineData("[::1]:5555", "tcp://[::1]:5555")]
    [InlineData("localhost", "tcp://localhost:2375")]
    [InlineData("localhost:5555", "tcp://localhost:5555")]
    [InlineData("192.168:5555", "tcp://192.168:5555")]
    [InlineData("tcp://", "tcp://localhost:2375")]
    [InlineData("tcp://:2376", "tcp://localhost:2376")]
    [InlineData("tcp://0.0.0.0:2376", "tcp://0.0.0.0:2376")]
    [InlineData("tcp://0.0.0.0:1234567890", "tcp://0.0.0.0:1234567890")]
    [InlineData("fd://", "fd://")]
    [InlineData("fd://3", "fd://3")]
    [InlineData("unix://", "unix:///var/run/berth.sock")]
    [InlineData("unix:///run/berth-test.sock", "unix:///run/berth-test.sock")]
    [InlineData("unix://relative/sock", "unix://relative/sock")]
    public void Normalizes_like_dockerd(string input, string expected)
    {
        Assert.Equal(expected, HostAddress.Normalize(input, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "invalid bind address (): unsupported proto ''")]
    [InlineData("://", "invalid bind address (://): unsupported proto ''")]
    [InlineData("udp://127.0.0.1", "invalid bind address (udp://127.0.0.1): unsupported proto 'udp'")]
    [InlineData("tcp://127.0.0.1/", "invalid bind address (tcp://127.0.0.1/): should not contain a path element")]
    [InlineData("/var/run/x.sock", "invalid bind address (/var/run/x.sock): should not contain a path element")]
    [InlineData("localhost:5555/path", "invalid bind address (localhost:5555/path): should not contain a path element")]
    [InlineData("tcp:a.b.c.d", "invalid bind address (tcp:a.b.c.d): parse \"tcp://tcp:a.b.c.d\": invalid port \":a.b.c.d\" after host")]
    [InlineData("tcp://:port", "invalid bind address (tcp://:port): parse \"tcp://:port\": invalid port \":port\" after host")]
    [InlineData("something with spaces", "invalid bind address (something with spaces): parse \"tcp://something with spaces\": invalid character \" \" in host name")]
    [InlineData("tcp://unix:///run/docker.sock", "invalid bind address (tcp://unix:///run/docker.sock): should not contain a path element")]
    [InlineData("unix://tcp://127.0.0.1", "invalid bind address (unix://tcp://127.0.0.1): invalid unix address: tcp://127.0.0.1")]
    [InlineData("tcp://:0", "invalid bind address (tcp://:0): invalid port: 0")]
    [InlineData("fd://abc", "invalid bind address (fd://abc): fd must be a number: abc")]
    public void Rejects_with_dockerd_message(string input, string expected)
    {
        Assert.Null(HostAddress.Normalize(input, out string? error));
        Assert.Equal(expected, error);
    }
}
