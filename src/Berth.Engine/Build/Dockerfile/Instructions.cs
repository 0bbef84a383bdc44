namespace Berth.Engine.Build.Dockerfile;

/// <summary>A Dockerfile instruction with its arguments given meaning (not yet expanded).</summary>
public abstract record Instruction(DockerfileNode Node)
{
    /// <summary>"RUN echo hi", as the build stream's "Step i/n : …" line and history show it.</summary>
    public string Text => Node.Original;
}

/// <summary>FROM [--platform=p] image [AS name].</summary>
public sealed record FromInstruction(DockerfileNode Node, string BaseName, string? StageName, string? Platform) : Instruction(Node);

/// <summary>RUN / CMD / ENTRYPOINT / SHELL: an exec-form array, or shell form (one string).</summary>
public sealed record CommandInstruction(DockerfileNode Node, IReadOnlyList<string> Command, bool ShellForm) : Instruction(Node);

/// <summary>COPY / ADD with their flags; Sources and Destination are raw words (expanded at dispatch).</summary>
public sealed record CopyInstruction(DockerfileNode Node, bool IsAdd, IReadOnlyList<string> Sources, string Destination, string? From, string? Chown, string? Chmod) : Instruction(Node);

/// <summary>ARG name[=default] (several per line allowed).</summary>
public sealed record ArgInstruction(DockerfileNode Node, IReadOnlyList<KeyValuePair<string, string?>> Args) : Instruction(Node);

/// <summary>
/// An instruction that only changes the image config (ENV, LABEL, EXPOSE, USER, WORKDIR, VOLUME,
/// STOPSIGNAL, ONBUILD, HEALTHCHECK, MAINTAINER); applied with the commit-change rules.
/// </summary>
public sealed record ConfigInstruction(DockerfileNode Node) : Instruction(Node);
