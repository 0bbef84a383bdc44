using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Logs;

/// <summary>
/// Finds where the last N entries of a log file start by reading it backwards from the end, so
/// `docker logs --tail 10` of a large log reads a few blocks, not the file. An entry ends with an
/// F record (its P chunks come before it); output that never got its F at the very end counts as
/// one entry too. Compressed files cannot be read backwards: their entries are counted forwards.
/// </summary>
internal static class TailLocator
{
    private const int BlockSize = 64 * 1024;
    private const int HeadSize = 64; // timestamp (≤ 35) + stream + tag fit in it
    private const long MaxExtension = 4 * 1024 * 1024; // how far back a split entry's chunks are looked for

    /// <summary>
    /// The offset from which the last <paramref name="wanted"/> entries of the first
    /// <paramref name="length"/> bytes start; <paramref name="found"/> &lt; wanted means the whole
    /// range holds fewer (offset 0). Once the boundary F record is found, the scan goes on over
    /// the other stream's P chunks just before it: they begin an entry that ends inside the tail.
    /// The boundary stream's complete entries that this pulls in are the first
    /// <paramref name="skip"/> entries read from the offset, and are to be dropped.
    /// </summary>
    public static long FindStart(SafeFileHandle file, long length, long wanted, out long found, out long skip)
    {
        found = 0;
        skip = 0;
        long boundaryEntries = 0;
        byte[] block = new byte[BlockSize];
        Span<byte> head = stackalloc byte[HeadSize];
        bool sawComplete = false;
        bool extending = false;
        int tailStreams = 0; // StreamBit of every record met before the boundary
        byte boundaryStream = 0;
        long start = 0;
        long blockStart = length;
        int blockLength = 0;
        long lineEnd = -1; // offset of the '\n' that ends the line being looked for
        while (true)
        {
            for (int i = blockLength - 1; i >= -1; i--)
            {
                if (i >= 0 && block[i] != (byte)'\n')
                {
                    continue;
                }
                if (i < 0 && blockStart > 0)
                {
                    break; // the line continues in the previous block
                }
                long newline = i >= 0 ? blockStart + i : -1;
                if (lineEnd >= 0)
                {
                    // The line (newline, lineEnd] is complete: classify it by its first bytes.
                    long lineStart = newline + 1;
                    int take = (int)Math.Min(HeadSize, lineEnd - lineStart);
                    ReadOnlySpan<byte> lineHead = lineStart - blockStart + take <= blockLength
                        ? block.AsSpan((int)(lineStart - blockStart), take)
                        : head[..RandomAccess.Read(file, head[..take], lineStart)];
                    byte tag = K8sLineParser.TagOf(lineHead, out byte stream);
                    if (!extending && tag != 0 && found < wanted)
                    {
                        tailStreams |= StreamBit(stream);
                    }
                    if (extending)
                    {
                        if (tag == 'P' && stream != boundaryStream)
                        {
                            start = lineStart;
                            skip = boundaryEntries;
                        }
                        else if (tag == 'F' && stream != boundaryStream)
                        {
                            return start;
                        }
                        else if (tag == 'F')
                        {
                            boundaryEntries++;
                        }
                    }
                    else if (tag == 'F')
                    {
                        if (found == wanted)
                        {
                            if ((tailStreams & ~StreamBit(stream)) == 0)
                            {
                                // No record of the other stream in the tail, so no entry of it can
                                // end there: nothing before the boundary belongs to the tail (a
                                // one-stream log stops here instead of scanning MaxExtension back).
                                return lineEnd + 1;
                            }
                            extending = true;
                            boundaryStream = stream;
                            start = lineEnd + 1;
                            boundaryEntries = 1;
                        }
                        else
                        {
                            found++;
                            sawComplete = true;
                        }
                    }
                    else if (tag == 'P' && !sawComplete)
                    {
                        found = 1; // trailing chunks without their F yet: together one (incomplete) entry
                    }
                }
                lineEnd = newline;
                if (newline < 0)
                {
                    return extending ? start : 0;
                }
            }
            if (blockStart == 0 || (extending && start - blockStart > MaxExtension))
            {
                return extending ? start : 0;
            }
            long previous = Math.Max(0, blockStart - BlockSize);
            blockLength = (int)(blockStart - previous);
            blockStart = previous;
            int read = 0;
            while (read < blockLength)
            {
                int n = RandomAccess.Read(file, block.AsSpan(read, blockLength - read), blockStart + read);
                if (n <= 0)
                {
                    skip = 0;
                    return 0; // shrank under us (truncated): read it all
                }
                read += n;
            }
        }
    }

    // 'o' (stdout) and 'e' (stderr) as bits; anything else counts as both (never proves absence).
    private static int StreamBit(byte stream) => stream switch { (byte)'o' => 1, (byte)'e' => 2, _ => 3 };

    /// <summary>Entries in a forward stream (a compressed rotated file).</summary>
    public static async Task<long> CountAsync(Stream content, CancellationToken cancellationToken)
    {
        long count = 0;
        bool trailingPartial = false;
        byte[] buffer = new byte[BlockSize];
        int carry = 0;
        while (true)
        {
            int n = await content.ReadAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            int end = carry + n;
            int start = 0;
            for (int nl; (nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0; start += nl + 1)
            {
                byte tag = K8sLineParser.TagOf(buffer.AsSpan(start, Math.Min(nl, HeadSize)));
                if (tag == 'F')
                {
                    count++;
                    trailingPartial = false;
                }
                else if (tag == 'P')
                {
                    trailingPartial = true;
                }
            }
            carry = end - start;
            if (carry == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            buffer.AsSpan(start, carry).CopyTo(buffer);
        }
        return count + (trailingPartial ? 1 : 0);
    }
}
