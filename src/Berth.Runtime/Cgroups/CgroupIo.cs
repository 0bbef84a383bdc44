using System.Globalization;
using System.Text;
using Berth.Engine.Errors;
using Berth.Linux;

namespace Berth.Runtime.Cgroups;

/// <summary>Reads and writes of single cgroup files, shared by the v1 and v2 managers.</summary>
internal static class CgroupIo
{
    /// <summary>Writes one value; the kernel's refusal becomes a DaemonException naming the file and value.</summary>
    public static void Write(string dir, string file, string value)
    {
        string path = Path.Combine(dir, file);
        try
        {
            // One write(2) of the whole value: cgroup files act on each write, partial ones fail.
            using var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            stream.Write(Encoding.ASCII.GetBytes(value));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DaemonException.System($"failed to write {value} to {file}: {e.Message}");
        }
    }

    public static void Write(string dir, string file, long value) => Write(dir, file, value.ToString(CultureInfo.InvariantCulture));

    public static void Write(string dir, string file, ulong value) => Write(dir, file, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The file's text, or null when it is missing.</summary>
    public static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The bytes of a file into <paramref name="buffer"/>; empty when it is missing.</summary>
    public static ReadOnlySpan<byte> Read(string path, Span<byte> buffer)
    {
        int n = KernelFiles.Read(path, buffer);
        return n > 0 ? buffer[..n] : default;
    }

    /// <summary>A numeric file ("max" counts as <paramref name="max"/>); false when missing or not a number.</summary>
    public static bool TryReadValue(string path, Span<byte> buffer, out ulong value, ulong max = 0)
    {
        int n = KernelFiles.Read(path, buffer);
        if (n <= 0)
        {
            value = 0;
            return false;
        }
        return StatParsers.TryParseValue(buffer[..n], out value, max);
    }

    public static string Join(string root, string cgroup) => Path.Combine(root, cgroup.TrimStart('/'));

    /// <summary>"major:minor value" as the blkio/io files take it.</summary>
    public static string DeviceLine(DeviceValue d) =>
        string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {d.Value}");
}
