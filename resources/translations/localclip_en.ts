<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>GpuPanel</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="238"/>
        <source>Running: %n worker(s) {where}</source>
        <translation>
            <numerusform>Running: %n worker {where}</numerusform>
            <numerusform>Running: %n workers {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="240"/>
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
        <location filename="../../localclip/gui/intake.py" line="564"/>
        <source>Dataset ({layout}): %n speaker(s), </source>
        <translation>
            <numerusform>Dataset ({layout}): %n speaker, </numerusform>
            <numerusform>Dataset ({layout}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="566"/>
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n clip</numerusform>
            <numerusform>%n clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="577"/>
        <source>Cloning project ({script}): %n speaker(s), </source>
        <translation>
            <numerusform>Cloning project ({script}): %n speaker, </numerusform>
            <numerusform>Cloning project ({script}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="580"/>
        <source>%n reference(s), </source>
        <translation>
            <numerusform>%n reference, </numerusform>
            <numerusform>%n references, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="581"/>
        <source>%n line(s) to speak</source>
        <translation>
            <numerusform>%n line to speak</numerusform>
            <numerusform>%n lines to speak</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="689"/>
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
        <location filename="../../localclip/gui/main_window.py" line="643"/>
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
        <location filename="../../localclip/gui/review.py" line="213"/>
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
        <location filename="../../localclip/gui/review.py" line="495"/>
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
        <location filename="../../localclip/gui/review.py" line="531"/>
        <source>Exporting %n take(s) to {0}…</source>
        <translation>
            <numerusform>Exporting %n take to {0}…</numerusform>
            <numerusform>Exporting %n takes to {0}…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="540"/>
        <source>Exported %n take(s) and {0} to {1}.</source>
        <translation>
            <numerusform>Exported %n take and {0} to {1}.</numerusform>
            <numerusform>Exported %n takes and {0} to {1}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="544"/>
        <source>%n line(s) without a kept take were left out.</source>
        <translation>
            <numerusform>%n line without a kept take was left out.</numerusform>
            <numerusform>%n lines without a kept take were left out.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="546"/>
        <source>Export stopped after %n take(s); lines.csv lists them.</source>
        <translation>
            <numerusform>Export stopped after %n take; lines.csv lists it.</numerusform>
            <numerusform>Export stopped after %n takes; lines.csv lists them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="918"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n line</numerusform>
            <numerusform>%n lines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="923"/>
        <source>%n need(s) attention</source>
        <translation>
            <numerusform>%n needs attention</numerusform>
            <numerusform>%n need attention</numerusform>
        </translation>
    </message>
</context>
</TS>
