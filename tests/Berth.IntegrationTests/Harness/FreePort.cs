using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Berth.IntegrationTests.Harness;

/// <summary>Loopback TCP ports for tcp:// listeners; never hands out the same port twice in one run.</summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    public static int Next()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (Given.TryAdd(port, true))
            {
                return port;
            }
        }
        throw new InvalidOperationException("no free loopback port found");
    }
}
