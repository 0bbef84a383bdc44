using System.Runtime.InteropServices;

namespace Berth.Linux.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket: send one request, read replies until the matching ack or NLMSG_DONE.
/// Calls are serialised by a lock because replies are matched by sequence on one socket.
/// </summary>
internal sealed partial class NetlinkSocket : IDisposable
{
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int SolNetlink = 270;
    private const int NetlinkCapAck = 10;
    private const int NetlinkExtAck = 11;
    private const int ReceiveBufferSize = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly byte[] _receive = new byte[ReceiveBufferSize];
    private int _fd;
    private uint _sequence;

    public NetlinkSocket()
    {
        _fd = Socket(Nl.AfNetlink, SockRaw | SockCloexec, Nl.NetlinkRoute);
        if (_fd < 0)
        {
            throw NetlinkException.FromErrno("socket(AF_NETLINK)", Marshal.GetLastPInvokeError());
        }
        // Extended acks carry the kernel's reason text ("Attribute failed policy validation");
        // capped acks keep the error reply from echoing the whole request. Both are optional.
        int on = 1;
        _ = SetSockOpt(_fd, SolNetlink, NetlinkExtAck, ref on, sizeof(int));
        _ = SetSockOpt(_fd, SolNetlink, NetlinkCapAck, ref on, sizeof(int));
        var address = new SockAddrNl { Family = Nl.AfNetlink };
        if (Bind(_fd, ref address, Marshal.SizeOf<SockAddrNl>()) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(_fd);
            throw NetlinkException.FromErrno("bind(AF_NETLINK)", errno);
        }
        _sequence = (uint)Environment.TickCount;
    }

    public uint NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Sends a request that carries NLM_F_ACK and waits for its ack; throws on a kernel error.</summary>
    public void Execute(byte[] request, string operation) => Exchange(request, operation, dump: false);

    /// <summary>Sends a dump (or get) request and returns every reply message before NLMSG_DONE / the ack.</summary>
    public List<NetlinkMessage> Query(byte[] request, string operation, bool dump = true) => Exchange(request, operation, dump);

    private List<NetlinkMessage> Exchange(byte[] request, string operation, bool dump)
    {
        uint sequence = BitConverter.ToUInt32(request, 8);
        var replies = new List<NetlinkMessage>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            Send(request, operation);
            while (true)
            {
                int n = Receive(operation);
                foreach (var message in NetlinkMessageReader.Split(_receive.AsSpan(0, n)))
                {
                    if (message.Sequence != sequence)
                    {
                        continue; // a late reply to an earlier, abandoned request
                    }
                    if (message.Type == Nl.Error)
                    {
                        int errno = NetlinkMessageReader.ErrorCode(message.Payload);
                        if (errno != 0)
                        {
                            throw NetlinkException.FromErrno(operation, errno, ExtendedAckText(message));
                        }
                        return replies;
                    }
                    if (message.Type == Nl.Done)
                    {
                        return replies;
                    }
                    replies.Add(message);
                    if (!dump && (message.Flags & Nl.Multi) == 0)
                    {
                        // A plain get answers with one message and no ack unless asked for one.
                        return replies;
                    }
                }
            }
        }
    }

    private static string? ExtendedAckText(NetlinkMessage message)
    {
        const ushort AckTlvs = 0x200; // NLM_F_ACK_TLVS
        const ushort AttrMsg = 1;     // NLMSGERR_ATTR_MSG
        if ((message.Flags & AckTlvs) == 0)
        {
            return null;
        }
        // struct nlmsgerr: int error + the request's header (capped ack: header only).
        var attributes = NetlinkMessageReader.Attributes(message.Payload, 4 + Nl.HeaderLength);
        return NetlinkMessageReader.String(attributes, AttrMsg);
    }

    private unsafe void Send(byte[] request, string operation)
    {
        var kernel = new SockAddrNl { Family = Nl.AfNetlink };
        fixed (byte* p = request)
        {
            while (true)
            {
                nint sent = SendTo(_fd, p, request.Length, 0, ref kernel, Marshal.SizeOf<SockAddrNl>());
                if (sent >= 0)
                {
                    return;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != 4) // EINTR
                {
                    throw NetlinkException.FromErrno(operation, errno);
                }
            }
        }
    }

    private unsafe int Receive(string operation)
    {
        fixed (byte* p = _receive)
        {
            while (true)
            {
                nint n = Recv(_fd, p, _receive.Length, 0);
                if (n >= 0)
                {
                    return (int)n;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != 4)
                {
                    throw NetlinkException.FromErrno(operation, errno);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_fd >= 0)
            {
                _ = Close(_fd);
                _fd = -1;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, ref SockAddrNl address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static unsafe partial nint SendTo(int fd, byte* buffer, nint length, int flags, ref SockAddrNl address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>A failed netlink operation; <see cref="Errno"/> is the positive errno (ENODEV = 19, EEXIST = 17).</summary>
public sealed class NetlinkException : IOException
{
    public NetlinkException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    public int Errno { get; }

    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EADDRNOTAVAIL = 99;

    internal static NetlinkException FromErrno(string operation, int errno, string? detail = null)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return new NetlinkException(detail is null ? $"{operation}: {text}" : $"{operation}: {text} ({detail})", errno);
    }
}
