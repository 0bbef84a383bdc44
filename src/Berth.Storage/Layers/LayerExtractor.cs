using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.Layers;

/// <summary>Bounds on one layer tar; breaking one is InvalidParameter.</summary>
/// <param name="MaxTotalSize">Uncompressed tar bytes (content, headers and all).</param>
public sealed record ExtractionLimits(long MaxEntries, long MaxFileSize, long MaxTotalSize)
{
    public static ExtractionLimits Default { get; } = new(1_000_000, 64L << 30, 256L << 30);
}

/// <summary>What an extraction produced. Size counts the bytes of regular files.</summary>
public readonly record struct ExtractionResult(Digest DiffId, long Size, long Entries);

/// <summary>
/// Unpacks a layer tar (plain, gzip or zstd) into an empty directory with pkg/archive's rules and
/// the overlay whiteout conversion, hashing the uncompressed bytes (DiffID) and writing the
/// tar-split record that <see cref="TarSplitReader"/> replays.
/// </summary>
public static class LayerExtractor
{
    /// <summary>The DiffID alone (an already unpacked chain is still verified).</summary>
    public static Digest ComputeDiffId(Stream layer, long maxTotal, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long total = 0;
        try
        {
            using var input = Decompression.Open(layer);
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                total += n;
                if (total > maxTotal)
                {
                    throw DaemonException.InvalidParameter(Messages.TarTotalTooLarge(maxTotal));
                }
                hash.AppendData(buffer, 0, n);
            }
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalid(e.Message));
        }
        return Digest.FromHash(hash.GetHashAndReset());
    }

    /// <summary>
    /// Extracts into <paramref name="diffDir"/> (existing, empty). The caller owns cleanup on failure:
    /// a half-written directory is thrown away whole. Without <paramref name="durable"/> nothing is
    /// flushed here (writeback is only started); the caller syncs once for several layers.
    /// </summary>
    public static ExtractionResult Extract(Stream layer, string diffDir, string tarSplitPath, string shadowDir,
        ExtractionLimits limits, CancellationToken cancellationToken, bool durable = true)
    {
        try
        {
            using var input = Decompression.Open(layer);
            using var split = new TarSplitWriter(tarSplitPath);
            using var recorder = new TarRecorder(input, split, limits.MaxTotalSize);
            using var tree = new ConfinedTree(diffDir, shadowDir);
            var state = new EntryWriter(recorder, split, tree, limits);
            using (var reader = new TarReader(recorder, leaveOpen: true))
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    recorder.BeginRegion();
                    var entry = reader.GetNextEntry(copyData: false);
                    if (entry is null)
                    {
                        break;
                    }
                    long dataStart = recorder.Consumed;
                    if (++state.Entries > limits.MaxEntries)
                    {
                        throw DaemonException.InvalidParameter(Messages.TarTooManyEntries(limits.MaxEntries));
                    }
                    state.Apply(entry, dataStart);
                    state.NextHeader = dataStart + ((entry.Length + 511) & ~511L);
                }
            }
            var diffId = Digest.FromHash(recorder.DrainAndFinish());
            state.ApplyDirectoryTimes();
            if (durable)
            {
                tree.Sync();
            }
            split.Complete(durable);
            return new ExtractionResult(diffId, state.Size, state.Entries);
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalid(e.Message));
        }
    }

    private static bool IsFormatError(Exception e) =>
        e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException
            or ZstdSharp.ZstdException || (e is IOException && e is not ErrnoException);
}
