namespace Berth.Api.Http;

/// <summary>
/// The API versions Berth speaks. Max is the highest version whose changes are all implemented
/// (see docs/compatibility.md), never below 1.44: Testcontainers 4.x pins 1.44 on every request.
/// </summary>
public static class ApiVersions
{
    public static readonly ApiVersion Min = new(1, 24);
    public static readonly ApiVersion Max = new(1, 44);
}

/// <summary>A "major.minor" Engine API version.</summary>
public readonly record struct ApiVersion(int Major, int Minor) : IComparable<ApiVersion>
{
    public int CompareTo(ApiVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ApiVersion a, ApiVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(ApiVersion a, ApiVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(ApiVersion a, ApiVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ApiVersion a, ApiVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>Parses "1.44"; anything else (missing minor, signs, spaces) is rejected.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ApiVersion version)
    {
        version = default;
        int dot = text.IndexOf('.');
        if (dot <= 0 || dot == text.Length - 1)
        {
            return false;
        }
        if (!IsDigits(text[..dot]) || !IsDigits(text[(dot + 1)..]))
        {
            return false;
        }
        if (!int.TryParse(text[..dot], out int major) || !int.TryParse(text[(dot + 1)..], out int minor))
        {
            return false;
        }
        version = new ApiVersion(major, minor);
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }
}
