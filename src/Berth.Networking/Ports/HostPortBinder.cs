using System.Net;
using System.Net.Sockets;

namespace Berth.Networking.Ports;

/// <summary>A host port held by the daemon: a bound socket nobody ever reads from; closing it frees the port.</summary>
public interface IHostPortReservation : IDisposable
{
    /// <summary>TCP: listen (backlog 0) once the DNAT rules exist, so the port shows in `ss -lt`
    /// and a later SO_REUSEADDR bind by another process fails too.</summary>
    void Listen();
}

/// <summary>Binds host ports; an interface so the publisher's bookkeeping is testable without sockets.</summary>
public interface IHostPortBinder
{
    /// <summary>Binds ip:port; throws <see cref="SocketException"/> when the kernel refuses.</summary>
    IHostPortReservation Bind(string ip, string proto, int port);
}

/// <summary>
/// Reserves ports the way dockerd 28 does without its proxy: socket + SO_REUSEADDR + bind in
/// berthd itself. The DNAT rules divert every connection before it could reach the socket.
/// </summary>
public sealed class SocketHostPortBinder : IHostPortBinder
{
    public IHostPortReservation Bind(string ip, string proto, int port)
    {
        var address = IPAddress.Parse(ip);
        var socket = proto == "udp"
            ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }
            socket.Bind(new IPEndPoint(address, port));
            return new Reservation(socket, proto == "tcp");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Go's strerror text for the errors a bind gives (dockerd prints Go's, lower case).</summary>
    public static string Reason(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AddressNotAvailable => "cannot assign requested address",
        SocketError.AccessDenied => "permission denied",
        _ => e.Message.Length > 0 ? char.ToLowerInvariant(e.Message[0]) + e.Message[1..] : e.SocketErrorCode.ToString(),
    };

    private sealed class Reservation(Socket socket, bool stream) : IHostPortReservation
    {
        public void Listen()
        {
            if (stream)
            {
                socket.Listen(0);
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
