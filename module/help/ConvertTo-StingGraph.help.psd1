@{
    Synopsis     = 'Draws the dependency graph of plan steps or services as Mermaid or Graphviz Dot text.'
    Description  = @(
        @'
ConvertTo-StingGraph turns what is piped in - the steps of Get-StingRestartPlan, or the services of
Get-StingService - into ONE text: a Mermaid flowchart (for Markdown renderers: GitHub, GitLab, wikis)
or a Graphviz Dot digraph (dot -Tsvg). Everything piped in is collected and drawn once the input ends.
'@
        @'
Edges point the way a restart goes, from a dependency to the service that needs it (db --> api). Each
wave is drawn together (a Mermaid subgraph, a Dot rank). A dependency that was not piped in (outside a
named plan) is drawn dashed: the run does not restart it, it must already be ready. Service names are
labels; Mermaid node ids are n0, n1, ... because names may hold characters Mermaid ids must not.
'@
        @'
It reads no project and contacts no engine. An object with neither a Service nor a Name property is a
non-terminating StingGraphInputInvalid error, and is left out.
'@
    )
    Parameters   = @{
        InputObject = 'The plan steps (StingOps.RestartPlanStep: Service, DependsOn, Wave) or services (StingOps.ServiceInfo: Name, DependsOn, Wave) to draw, from the pipeline. Any object with a Service or Name property and, optionally, DependsOn and Wave works; a service given twice is drawn once, as last given.'
        Format      = 'Mermaid (the default) or Dot.'
    }
    Inputs       = @(
        @{ Type = 'StingOps.RestartPlanStep'; Description = 'Steps of Get-StingRestartPlan.' }
        @{ Type = 'StingOps.ServiceInfo'; Description = 'Services of Get-StingService (or -Offline).' }
    )
    Outputs      = @(
        @{ Type = 'System.String'; Description = 'One text: the whole graph, newline-separated, ending with a newline.' }
    )
    Notes        = @(
        'Mermaid: put the text between ```mermaid and ``` in a Markdown file. Dot: dot -Tsvg graph.dot -o graph.svg (Graphviz).'
    )
    Examples     = @(
        @{
            Title   = 'A Mermaid picture of the STING restart plan for a README'
            Code    = @'
Get-StingRestartPlan -ProjectDirectory /opt/sting | ConvertTo-StingGraph
'@
            Remarks = 'Writes a flowchart with one subgraph per wave and an arrow from each dependency to what needs it; paste it into a ```mermaid block.'
        }
        @{
            Title   = 'An SVG with Graphviz'
            Code    = @'
Get-StingService -Offline -ProjectDirectory /opt/sting | ConvertTo-StingGraph -Format Dot | Set-Content sting.dot
dot -Tsvg sting.dot -o sting.svg
'@
            Remarks = 'Draws every service of the compose files, ranked by wave, without contacting the engine.'
        }
        @{
            Title   = 'Keep the picture of the plan up to date from a nightly job'
            Code    = @'
Import-Module StingOps
Get-StingRestartPlan -ProjectDirectory /opt/sting -Name app -IncludeDependents |
    ConvertTo-StingGraph | Set-Content /var/www/ops/sting-app-plan.mmd
'@
            Remarks = 'What a restart of app would touch, in order; its dependencies outside that plan (db, vault) appear dashed.'
        }
    )
    RelatedLinks = @('Get-StingRestartPlan', 'Get-StingService', 'about_StingOps')
}
