using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Transport;

/// <summary>
/// Kestrel transport with real TCP half-close semantics. Kestrel's socket transport treats a
/// client's FIN as the end of the connection and drops everything written afterwards, which
/// loses the output of `echo data | docker run -i busybox cat` (the CLI half-closes after
/// stdin ends and keeps reading). Here a FIN only completes the input side; the connection
/// ends when the application completes its output or the socket fails.
/// </summary>
public sealed class HalfCloseTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private const int Backlog = 512;

    public bool CanBind(EndPoint endpoint) => endpoint is UnixDomainSocketEndPoint or IPEndPoint or FileHandleEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        switch (endpoint)
        {
            case FileHandleEndPoint handle:
                // Socket activation: the socket is bound (and usually listening) already.
                socket = new Socket(new SafeSocketHandle(checked((IntPtr)(long)handle.FileHandle), ownsHandle: true));
                break;
            case UnixDomainSocketEndPoint unix:
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Bind(unix);
                break;
            case IPEndPoint ip:
                socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (ip.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }
                socket.Bind(ip);
                break;
            default:
                throw new NotSupportedException($"unsupported endpoint {endpoint}");
        }
        socket.Listen(Backlog);
        return ValueTask.FromResult<IConnectionListener>(new Listener(socket, socket.LocalEndPoint ?? endpoint));
    }

    private sealed class Listener : IConnectionListener
    {
        private readonly Socket _socket;
        private long _nextId;

        public Listener(Socket socket, EndPoint endpoint)
        {
            _socket = socket;
            EndPoint = endpoint;
        }

        public EndPoint EndPoint { get; }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await _socket.AcceptAsync(cancellationToken);
                }
                catch (ObjectDisposedException)
                {
                    return null; // unbound: Kestrel stops accepting
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    continue; // a connection that died in the backlog (ECONNABORTED): take the next
                }
                if (accepted.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    accepted.NoDelay = true;
                }
                var connection = new HalfCloseConnection(accepted, Interlocked.Increment(ref _nextId));
                connection.Start();
                return connection;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
