using Berth.Engine.Errors;

namespace Berth.Networking.Ports;

/// <summary>A host port could not be had; the message is dockerd's, the publisher adds the endpoint context.</summary>
public sealed class PortMappingException(string message) : Exception(message);

/// <summary>
/// The daemon's own book of host ports, per (host address, protocol), with the behaviour of
/// libnetwork's portallocator: an exact port is refused when this daemon already handed it out
/// ("port is already allocated"); ranges and "any port" search round-robin from just after the
/// last port given out of that range, so a freed port is not immediately reused. The kernel
/// has the final word (the publisher binds each port); this book only avoids asking it twice.
/// </summary>
public sealed class PortAllocator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Ip, string Proto), Book> _books = [];

    public PortAllocator(EphemeralPortRange range)
    {
        Range = range;
    }

    public EphemeralPortRange Range { get; }

    /// <summary>
    /// start == end &gt; 0: exactly that port; 0-0: any port of the ephemeral range; otherwise any
    /// port of start-end. Throws <see cref="PortMappingException"/> with dockerd's text.
    /// </summary>
    public int Request(string ip, string proto, int start, int end)
    {
        if (proto is not ("tcp" or "udp" or "sctp"))
        {
            throw new PortMappingException("unknown protocol");
        }
        lock (_lock)
        {
            var book = BookFor(ip, proto);
            if (start > 0 && start == end)
            {
                if (!book.Taken.Add(start))
                {
                    throw new PortMappingException(Messages.PortAlreadyAllocated(ip, start));
                }
                return start;
            }
            var cursor = CursorFor(book, start, end);
            int port = cursor.Last;
            for (int i = cursor.Start; i <= cursor.End; i++)
            {
                port = port >= cursor.End ? cursor.Start : port + 1;
                if (book.Taken.Add(port))
                {
                    cursor.Last = port;
                    return port;
                }
            }
            throw new PortMappingException(Messages.AllPortsAllocated);
        }
    }

    public void Release(string ip, string proto, int port)
    {
        lock (_lock)
        {
            if (_books.TryGetValue((ip, proto), out var book))
            {
                book.Taken.Remove(port);
            }
        }
    }

    public bool IsAllocated(string ip, string proto, int port)
    {
        lock (_lock)
        {
            return _books.TryGetValue((ip, proto), out var book) && book.Taken.Contains(port);
        }
    }

    private Book BookFor(string ip, string proto)
    {
        if (!_books.TryGetValue((ip, proto), out var book))
        {
            _books[(ip, proto)] = book = new Book();
        }
        return book;
    }

    private Cursor CursorFor(Book book, int start, int end)
    {
        if (start == 0 && end == 0)
        {
            (start, end) = (Range.Start, Range.End);
        }
        else if (start == 0 || end == 0 || end < start)
        {
            throw new PortMappingException($"invalid port range: {start}-{end}");
        }
        if (!book.Cursors.TryGetValue((start, end), out var cursor))
        {
            // Starting "after" the end makes the first search begin at the range's start.
            book.Cursors[(start, end)] = cursor = new Cursor(start, end) { Last = end };
        }
        return cursor;
    }

    private sealed class Book
    {
        public HashSet<int> Taken { get; } = [];
        public Dictionary<(int, int), Cursor> Cursors { get; } = [];
    }

    private sealed class Cursor(int start, int end)
    {
        public int Start { get; } = start;
        public int End { get; } = end;
        public int Last { get; set; }
    }
}
