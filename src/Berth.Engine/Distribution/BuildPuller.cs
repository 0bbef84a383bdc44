using Berth.Engine.Build;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.Engine.Distribution;

/// <summary>
/// The builder's pulls go through the same pull as POST /images/create. The classic builder's
/// stream carries text, so only the status lines (not the byte counters) reach the client.
/// Pulls are anonymous: the build's X-Registry-Config credentials are not passed down yet.
/// </summary>
public sealed class BuildPuller(DistributionService distribution) : IBuildPuller
{
    public async Task PullAsync(string reference, string? platform, IBuildOutput output, CancellationToken cancellationToken)
    {
        if (!ImageReference.TryParseNormalizedNamed(reference, out var parsed, out var error))
        {
            throw DaemonException.InvalidParameter(error ?? $"invalid reference format: {reference}");
        }
        parsed = parsed.WithDefaultTag();
        var request = new PullRequest(parsed, platform, RegistryAuth.Anonymous);
        await distribution.PullAsync(request, (message, ct) => Write(output, message, ct), cancellationToken);
    }

    private static ValueTask Write(IBuildOutput output, ProgressMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != ProgressKind.Message && message.Status is not ("Pull complete" or "Already exists"))
        {
            return ValueTask.CompletedTask;
        }
        string line = message.Id is null ? message.Status + "\n" : $"{message.Id}: {message.Status}\n";
        return output.WriteAsync(line, cancellationToken);
    }
}
