namespace Berth.Engine.Build;

/// <summary>
/// Fetches a base image from its registry for the builder (FROM of an image missing locally, or
/// any FROM with pull=1). Narrow so the builder does not depend on the distribution code.
/// </summary>
public interface IBuildPuller
{
    /// <summary>Pulls <paramref name="reference"/> (a bare name means :latest), writing status lines to <paramref name="output"/>.</summary>
    Task PullAsync(string reference, string? platform, IBuildOutput output, CancellationToken cancellationToken);
}
