<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="283"/>
        <source>%n file(s) in {0} would be replaced by this export:

{1}{2}</source>
        <translation>
            <numerusform>%n file in {0} would be replaced by this export:

{1}{2}</numerusform>
            <numerusform>%n files in {0} would be replaced by this export:

{1}{2}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="311"/>
        <source>Exporting %n take(s)…</source>
        <translation>
            <numerusform>Exporting %n take…</numerusform>
            <numerusform>Exporting %n takes…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="352"/>
        <source>Export stopped after %n take(s); {0} lists them.</source>
        <translation>
            <numerusform>Export stopped after %n take; {0} lists it.</numerusform>
            <numerusform>Export stopped after %n takes; {0} lists them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="356"/>
        <source>Exported %n take(s) and {0} to {1}.</source>
        <translation>
            <numerusform>Exported %n take and {0} to {1}.</numerusform>
            <numerusform>Exported %n takes and {0} to {1}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="360"/>
        <source>%n timeline track(s) written.</source>
        <translation>
            <numerusform>%n timeline track written.</numerusform>
            <numerusform>%n timeline tracks written.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="367"/>
        <source>%n line(s) were left out (not approved, or without a kept take).</source>
        <translation>
            <numerusform>%n line was left out (not approved, or without a kept take).</numerusform>
            <numerusform>%n lines were left out (not approved, or without a kept take).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GpuPanel</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="265"/>
        <source>{node}: %n GPU(s)</source>
        <translation>
            <numerusform>{node}: %n GPU</numerusform>
            <numerusform>{node}: %n GPUs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="355"/>
        <source>Running: %n worker(s) {where}</source>
        <translation>
            <numerusform>Running: %n worker {where}</numerusform>
            <numerusform>Running: %n workers {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="357"/>
        <source>Planned: %n worker(s) {where}</source>
        <translation>
            <numerusform>Planned: %n worker {where}</numerusform>
            <numerusform>Planned: %n workers {where}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IntakeView</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="618"/>
        <source>Dataset ({layout}): %n speaker(s), </source>
        <translation>
            <numerusform>Dataset ({layout}): %n speaker, </numerusform>
            <numerusform>Dataset ({layout}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="620"/>
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n clip</numerusform>
            <numerusform>%n clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="631"/>
        <source>Cloning project ({script}): %n speaker(s), </source>
        <translation>
            <numerusform>Cloning project ({script}): %n speaker, </numerusform>
            <numerusform>Cloning project ({script}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="634"/>
        <source>%n reference(s), </source>
        <translation>
            <numerusform>%n reference, </numerusform>
            <numerusform>%n references, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="635"/>
        <source>%n line(s) to speak</source>
        <translation>
            <numerusform>%n line to speak</numerusform>
            <numerusform>%n lines to speak</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="752"/>
        <source>%n clip(s) could not be read: see the problems below</source>
        <translation>
            <numerusform>%n clip could not be read: see the problems below</numerusform>
            <numerusform>%n clips could not be read: see the problems below</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/main_window.py" line="828"/>
        <source>Ready to run: %n folder(s). Press Run (F5).</source>
        <translation>
            <numerusform>Ready to run: %n folder. Press Run (F5).</numerusform>
            <numerusform>Ready to run: %n folders. Press Run (F5).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewTableModel</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/review_table.py" line="159"/>
        <source>%n flag(s)</source>
        <translation>
            <numerusform>%n flag</numerusform>
            <numerusform>%n flags</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review_table.py" line="283"/>
        <source>Take {0} is kept; the line has %n take(s)</source>
        <translation>
            <numerusform>Take {0} is kept; the line has %n take</numerusform>
            <numerusform>Take {0} is kept; the line has %n takes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="430"/>
        <source>New takes of %n line(s) queued.</source>
        <translation>
            <numerusform>New take of %n line queued.</numerusform>
            <numerusform>New takes of %n lines queued.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="472"/>
        <source>Approve %n line(s)</source>
        <translation>
            <numerusform>Approve %n line</numerusform>
            <numerusform>Approve %n lines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="474"/>
        <source>Withdraw the approval of %n line(s)</source>
        <translation>
            <numerusform>Withdraw the approval of %n line</numerusform>
            <numerusform>Withdraw the approval of %n lines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="945"/>
        <source>{0}: %n line(s) read.</source>
        <translation>
            <numerusform>{0}: %n line read.</numerusform>
            <numerusform>{0}: %n lines read.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1300"/>
        <source>%n flag(s)</source>
        <translation>
            <numerusform>%n flag</numerusform>
            <numerusform>%n flags</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1405"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n line</numerusform>
            <numerusform>%n lines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1413"/>
        <source>%n need(s) attention</source>
        <translation>
            <numerusform>%n needs attention</numerusform>
            <numerusform>%n need attention</numerusform>
        </translation>
    </message>
</context>
</TS>
