namespace Berth.Engine.Errors;

/// <summary>
/// Client-visible error texts. They are compatibility surface (clients and scripts match on
/// them), so they live in this class (one partial file per area) and follow dockerd's wording.
/// </summary>
public static partial class Messages
{
    public const string PageNotFound = "page not found";

    public static string NoSuchObject(string kind, string reference) => $"No such {kind}: {reference}";

    // dockerd >= 23 text and kind (InvalidParameter): moby daemon/container/view.go GetByPrefix.
    // The capitalised "Multiple IDs ..." was the older truncindex wording.
    public static string AmbiguousPrefix(string prefix) => $"multiple IDs found with provided prefix: {prefix}";

    public static string ApiVersionTooOld(string version, string min) =>
        $"client version {version} is too old. Minimum supported API version is {min}, please upgrade your client to a newer version";

    public static string ApiVersionTooNew(string version, string max) =>
        $"client version {version} is too new. Maximum supported API version is {max}";

    public const string NotSwarmManager =
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
}
