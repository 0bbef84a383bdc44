using System.Net;
using Berth.Daemon.Hosting;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Hosting;

public class ListenersTests
{
    private static readonly ListenAddress[] Tcp = [new("tcp", "127.0.0.1:2376")];

    [Theory]
    [InlineData("127.0.0.1:2376", "127.0.0.1", 2376)]
    [InlineData("0.0.0.0:2375", "0.0.0.0", 2375)]
    [InlineData(":2376", "0.0.0.0", 2376)]
    [InlineData("[::1]:2376", "::1", 2376)]
    [InlineData("localhost:1234", "127.0.0.1", 1234)]
    public void ParsesTcpTargets(string target, string ip, int port)
    {
        var endpoint = Listeners.ParseTcp(target);
        Assert.Equal(IPAddress.Parse(ip), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void SplitsSchemes()
    {
        Assert.Equal(new ListenAddress("unix", "/run/x.sock"), Listeners.Parse("unix:///run/x.sock"));
        Assert.Equal(new ListenAddress("tcp", "1.2.3.4:5"), Listeners.Parse("tcp://1.2.3.4:5"));
        Assert.Equal(new ListenAddress("fd", ""), Listeners.Parse("fd://"));
    }

    [Fact]
    public void PlainTcpWithoutExplicitOptOutIsRefused()
    {
        string? error = Listeners.Validate(new DaemonConfig(), Tcp);
        Assert.NotNull(error);
        Assert.Contains("--tls=false", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainTcpWithExplicitOptOutIsAllowed() =>
        Assert.Null(Listeners.Validate(new DaemonConfig { Tls = false }, Tcp));

    [Fact]
    public void TlsVerifyNeedsItsFiles()
    {
        var config = new DaemonConfig { TlsVerify = true, TlsCert = "/nonexistent/cert.pem", TlsKey = "/nonexistent/key.pem" };
        string? error = Listeners.Validate(config, Tcp);
        Assert.NotNull(error);
        Assert.Contains("/nonexistent/cert.pem", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnixOnlyNeedsNoTls() =>
        Assert.Null(Listeners.Validate(new DaemonConfig(), [new ListenAddress("unix", "/tmp/x.sock")]));

    [Fact]
    public void StaleSocketFileIsReplacedButALiveOneIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("berth-ut-").FullName;
        try
        {
            string path = Path.Combine(dir, "s.sock");
            using (var live = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                live.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                live.Listen(1);
                Assert.NotNull(Listeners.PrepareUnixSocket(path));
                Assert.True(File.Exists(path));
            }
            // A path nobody answers on, as a socket file left by kill -9 (.NET removes the file
            // of a socket it disposes, so a plain file stands in for the leftover here).
            File.WriteAllText(path, "");
            Assert.Null(Listeners.PrepareUnixSocket(path));
            Assert.False(File.Exists(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
