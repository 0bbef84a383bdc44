using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>
/// Runs a build plan the way dockerd's classic builder does: every stage up to the target in file
/// order, one image per step ("Step i/n : …", " ---> id"), RUN in a real container, COPY/ADD as a
/// layer written straight from the sources, metadata steps as configs without a layer, and a
/// cache keyed by the parent image, the step's text, the config in effect and (for COPY/ADD) the
/// sources' content.
/// </summary>
public sealed partial class Builder
{
    private static readonly System.Buffers.SearchValues<char> QuoteNeeded = System.Buffers.SearchValues.Create(" \t\"'\\$=");

    private readonly IBuildBackend _backend;
    private readonly BuildPlan _plan;
    private readonly BuildOptions _options;
    private readonly IBuildOutput _output;
    private readonly string _contextRoot;
    private readonly string _scratchDir;
    private readonly BuildVariables _vars;
    private readonly List<BuildImage> _stageImages = [];
    private readonly int _total;
    private int _step;

    public Builder(IBuildBackend backend, BuildPlan plan, BuildOptions options, IBuildOutput output, string contextRoot, string scratchDir)
    {
        _backend = backend;
        _plan = plan;
        _options = options;
        _output = output;
        _contextRoot = contextRoot;
        _scratchDir = scratchDir;
        _vars = new BuildVariables(options.BuildArgs);
        _total = plan.StepCount + (options.Labels.Count > 0 ? 1 : 0);
    }

    /// <summary>Builds, tags, and returns the final image id.</summary>
    public async Task<Digest> RunAsync(CancellationToken cancellationToken)
    {
        foreach (var arg in _plan.MetaArgs)
        {
            await StepAsync(arg.Node, cancellationToken);
            foreach (var (name, value) in arg.Args)
            {
                _vars.DeclareMeta(name, value);
            }
        }
        BuildImage image = BuildImage.Scratch;
        foreach (var stage in _plan.Stages)
        {
            image = await BuildStageAsync(stage, cancellationToken);
            _stageImages.Add(image);
        }
        if (_vars.UnconsumedWarning() is { } warning)
        {
            await _output.WriteAsync(warning, cancellationToken);
        }
        Digest id = image.Id ?? throw Errors.DaemonException.InvalidParameter("No image was generated. Is your Dockerfile empty?");
        await _output.AuxAsync(id.ToString(), cancellationToken);
        if (_options.Quiet)
        {
            await _output.WriteAsync(id + "\n", cancellationToken);
        }
        else
        {
            await _output.WriteAsync($"Successfully built {Short(id)}\n", cancellationToken);
        }
        foreach (var tag in _options.Tags)
        {
            _backend.Tag(id, tag);
            if (!_options.Quiet)
            {
                await _output.WriteAsync($"Successfully tagged {tag}\n", cancellationToken);
            }
        }
        return id;
    }

    private sealed class StageState(BuildImage image)
    {
        public BuildImage Image { get; set; } = image;
        public RunConfig Config { get; set; } = RunConfigs.From(image.Config.Config);
        public bool CmdSet { get; set; }
    }

    private async Task<BuildImage> BuildStageAsync(BuildStage stage, CancellationToken cancellationToken)
    {
        _vars.BeginStage();
        await StepAsync(stage.From.Node, cancellationToken);
        var state = new StageState(await ResolveBaseAsync(stage, cancellationToken));
        await WriteIdAsync(state.Image, cancellationToken);
        await RunTriggersAsync(state, cancellationToken);
        foreach (var instruction in stage.Instructions)
        {
            await StepAsync(instruction.Node, cancellationToken);
            await DispatchAsync(state, stage, instruction, cancellationToken);
            await WriteIdAsync(state.Image, cancellationToken);
        }
        if (stage == _plan.Stages[^1] && _options.Labels.Count > 0)
        {
            string text = "LABEL " + string.Join(' ', _options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => Quote(l.Key) + "=" + Quote(l.Value)));
            var node = new DockerfileNode("label", [], text[6..], 0, 0, text);
            await StepAsync(node, cancellationToken);
            await DispatchAsync(state, stage, new ConfigInstruction(node), cancellationToken);
            await WriteIdAsync(state.Image, cancellationToken);
        }
        return state.Image;
    }

    private async Task<BuildImage> ResolveBaseAsync(BuildStage stage, CancellationToken cancellationToken)
    {
        string name = _vars.ExpandForFrom(stage.From.BaseName);
        if (name.Length == 0)
        {
            throw Errors.DaemonException.InvalidParameter("base name (" + stage.From.BaseName + ") should not be blank");
        }
        if (string.Equals(name, "scratch", StringComparison.OrdinalIgnoreCase))
        {
            return BuildImage.Scratch;
        }
        for (int i = 0; i < _stageImages.Count; i++)
        {
            if (string.Equals(_plan.Stages[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return _stageImages[i];
            }
        }
        string? platform = stage.From.Platform is { } p ? _vars.ExpandForFrom(p) : _options.Platform;
        if (!_options.Pull && _backend.FindImage(name) is { } local)
        {
            return local;
        }
        return await _backend.PullAsync(name, platform, _output, cancellationToken);
    }

    /// <summary>ONBUILD triggers of the base image run first, then are cleared from the stage's config.</summary>
    private async Task RunTriggersAsync(StageState state, CancellationToken cancellationToken)
    {
        var triggers = state.Config.OnBuild;
        if (triggers is not { Count: > 0 })
        {
            return;
        }
        state.Config.OnBuild = null;
        await _output.WriteAsync($"# Executing {triggers.Count} build trigger{(triggers.Count == 1 ? "" : "s")}\n", cancellationToken);
        foreach (var trigger in triggers)
        {
            var node = DockerfileParser.Parse(trigger).Nodes[0];
            var instruction = InstructionParser.Parse(node);
            if (instruction is FromInstruction)
            {
                throw Errors.DaemonException.InvalidParameter("FROM isn't allowed as an ONBUILD trigger");
            }
            await DispatchAsync(state, null, instruction, cancellationToken);
        }
    }

    private ValueTask StepAsync(DockerfileNode node, CancellationToken cancellationToken)
    {
        _step++;
        return _options.Quiet ? ValueTask.CompletedTask : _output.WriteAsync($"Step {_step}/{_total} : {node.Original}\n", cancellationToken);
    }

    private ValueTask WriteIdAsync(BuildImage image, CancellationToken cancellationToken) =>
        _options.Quiet ? ValueTask.CompletedTask : _output.WriteAsync($" ---> {(image.Id is { } id ? Short(id) : "")}\n", cancellationToken);

    internal static string Short(Digest id) => id.Hex[..12];

    private static string Quote(string value) =>
        value.Length > 0 && value.AsSpan().IndexOfAny(QuoteNeeded) < 0 ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>The cache key of a step: parent, what the step does, and the config it starts from.</summary>
    private static string CacheKey(BuildImage parent, string createdBy, RunConfig config, string extra)
    {
        string text = $"{parent.Id?.ToString() ?? "scratch"}\n{createdBy}\n{RunConfigs.Fingerprint(config)}\n{extra}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A cache hit ends the step; the caller skips the work.</summary>
    private async Task<bool> TryCacheAsync(StageState state, string key, RunConfig config, CancellationToken cancellationToken)
    {
        if (_options.NoCache || _backend.CacheLookup(key) is not { } cached)
        {
            return false;
        }
        if (!_options.Quiet)
        {
            await _output.WriteAsync(" ---> Using cache\n", cancellationToken);
        }
        state.Image = cached;
        state.Config = config;
        return true;
    }
}
