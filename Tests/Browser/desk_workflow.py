"""The desk's publishing workflow in a real browser (issue 15), for BrowserWorkflowTests.

Debian's Chromium is driven through WebDriver (Debian's chromedriver) with selenium from the
virtual environment `make test` makes under .build/. An editor signs in through the login form,
uploads a folder of photos with the upload page's folder picker, captions one from the result
list, links it into an article, sets a 16:9 crop on that use, and publishes the article; then a
reader in a fresh browser session (no cookies) opens the article.

The password is read from standard input. One JSON object is printed on standard output: what
each step saw, for the Swift test to check. On a failure it is {"error", "step", "url"}, a
screenshot of the page is written as failure.png beside the others, and the exit status is 1.
Every wait polls a condition with a time limit (WebDriverWait), so a broken page fails the run.
"""

import argparse
import json
import os
import sys

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

# Seconds: a page load, a script, one condition waited for.
PAGE_TIMEOUT = 30
WAIT_TIMEOUT = 30


class Step:
    """The step being run, named in the failure report."""

    name = "starting the browser"


# What a step raises when the page is not what it should be.
FAILURES = (WebDriverException, StopIteration, ValueError, IndexError)


def report_failure(error, driver, screenshots):
    """Prints {"error", "step", "url"}, keeps a screenshot as failure.png; the exit status, 1."""
    failure = {"error": "%s: %s" % (type(error).__name__, str(error).strip()[:2000]), "step": Step.name}
    if driver is not None:
        failure["url"] = driver.current_url
        try:
            driver.save_screenshot(os.path.join(screenshots, "failure.png"))
        except WebDriverException:
            pass
    print(json.dumps(failure))
    return 1


def parse_session(parser):
    """The arguments every browser script takes (the server, the user, the screenshots' folder, the
    browser), parsed with the script's own; the password from standard input. Makes the folder."""
    parser.add_argument("--base", required=True, help="the server's address, ending in /")
    parser.add_argument("--user", required=True)
    parser.add_argument("--screenshots", required=True, help="the folder for the screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    arguments = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    os.makedirs(arguments.screenshots, exist_ok=True)
    return arguments, password


def start_browser(arguments):
    """Headless Chromium through chromedriver, both Debian's (no download by selenium)."""
    options = webdriver.ChromeOptions()
    options.binary_location = arguments.chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(arguments.chromedriver))
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    return driver


def wait(driver):
    return WebDriverWait(driver, WAIT_TIMEOUT, poll_frequency=0.1)


def loaded(driver, image):
    """Whether an <img> has finished loading a picture."""
    return driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image
    )


def sign_in(driver, base, user, password):
    Step.name = "signing in"
    driver.get(base + "login?next=/desk")
    wait(driver).until(shown.presence_of_element_located((By.ID, "login-name")))
    driver.find_element(By.ID, "login-name").send_keys(user)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    signed = wait(driver).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, ".signed-in strong"))
    )
    return signed.text


def upload_folder(driver, base, folder, expected, screenshots):
    """Chooses the folder with the page's folder picker; each file's outcome as listed."""
    Step.name = "uploading a folder"
    driver.get(base + "desk/upload")
    # The page's script marks the form once it has taken over (progress and outcomes per file).
    wait(driver).until(shown.presence_of_element_located((By.CSS_SELECTOR, "#upload-form.scripted")))
    # chromedriver gives a webkitdirectory input the whole folder for its path.
    driver.find_element(By.ID, "upload-folder").send_keys(folder)
    finished = ("ingested", "duplicate", "failed")

    def all_done(driver):
        items = driver.find_elements(By.CSS_SELECTOR, "#upload-results li.upload-item")
        done = [
            item for item in items
            if any(status in item.get_attribute("class").split() for status in finished)
        ]
        return items if len(items) == expected and len(done) == expected else False

    items = wait(driver).until(all_done)
    outcomes = []
    for item in items:
        links = item.find_elements(By.CSS_SELECTOR, "a.upload-caption")
        outcomes.append(
            {
                "name": item.find_element(By.CSS_SELECTOR, ".upload-name").text,
                # As written, not as styled (the stylesheet shows it in capitals).
                "status": item.find_element(By.CSS_SELECTOR, ".upload-status").get_attribute("textContent"),
                "link": links[0].text if links else None,
                "href": links[0].get_attribute("href") if links else None,
            }
        )
    summary = driver.find_element(By.ID, "upload-summary").text
    wait(driver).until(
        lambda driver: all(
            loaded(driver, image)
            for image in driver.find_elements(By.CSS_SELECTOR, "#upload-results img.upload-thumb")
        )
    )
    driver.save_screenshot(os.path.join(screenshots, "upload-results.png"))
    return outcomes, summary


def caption_from_results(driver, name, caption):
    """Follows the "Caption it" link of the file `name` and saves the caption form."""
    Step.name = "captioning " + name
    item = next(
        item
        for item in driver.find_elements(By.CSS_SELECTOR, "#upload-results li.upload-item")
        if item.find_element(By.CSS_SELECTOR, ".upload-name").text == name
    )
    item.find_element(By.LINK_TEXT, "Caption it").click()
    field = wait(driver).until(shown.element_to_be_clickable((By.ID, "field-caption")))
    photo = driver.current_url.split("/photos/")[1].split("#")[0]
    field.clear()
    field.send_keys(caption)
    driver.find_element(By.CSS_SELECTOR, "form[action$='/caption'] button[type=submit]").click()
    notice = wait(driver).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, "#edit p.notice[role=status]"))
    )
    return photo, notice.text


def link_and_crop(driver, base, slug, photo, preset, screenshots):
    """Adds the photo to the article (its form), then crops that use with the aspect `preset`."""
    Step.name = "adding the photo to the article"
    driver.get(base + "articles/" + slug)
    driver.find_element(By.ID, "link-photo").send_keys(photo)
    driver.find_element(By.CSS_SELECTOR, "form[action$='/link'] button[type=submit]").click()
    crop_link = wait(driver).until(shown.element_to_be_clickable((By.CSS_SELECTOR, "a.crop-link")))

    Step.name = "cropping the use"
    # Tall enough for the whole photo and the form in one screenshot.
    driver.set_window_size(1280, 1700)
    crop_link.click()
    image = wait(driver).until(shown.presence_of_element_located((By.ID, "crop-image")))
    wait(driver).until(lambda driver: loaded(driver, image))
    radio = driver.find_element(By.CSS_SELECTOR, "input[name=preset][value='%s']" % preset)
    radio.click()
    wanted = [radio.get_attribute("data-" + name) for name in ("x", "y", "width", "height")]
    fields = [driver.find_element(By.ID, "crop-" + name) for name in ("x", "y", "width", "height")]
    # The script fills the numbers with the aspect's largest centred crop and shows the frame.
    wait(driver).until(lambda driver: [field.get_attribute("value") for field in fields] == wanted)
    wait(driver).until(shown.visibility_of_element_located((By.ID, "crop-frame")))
    frame = driver.find_element(By.ID, "crop-frame").size
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(screenshots, "crop.png"))
    driver.find_element(By.ID, "crop-save").click()
    wait(driver).until(shown.url_contains("/articles/%s#fig-" % slug))
    marked = wait(driver).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, ".link-list .status"))
    )
    return {
        "rectangle": [int(value) for value in wanted],
        "frame": [frame["width"], frame["height"]],
        "marked": marked.text,
    }


def publish_now(driver):
    Step.name = "publishing the article"
    driver.find_element(By.ID, "publish-now").click()
    status = wait(driver).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, "#publication .status-published"))
    )
    return status.text


def alerted(driver):
    """Whether a script put up an alert (a hostile line of the body that ran)."""
    try:
        driver.switch_to.alert.dismiss()
        return True
    except Exception:
        return False


def read_as_reader(arguments):
    """The article as an anonymous reader's browser shows it: a new session, no cookies."""
    Step.name = "reading the article as a reader"
    driver = start_browser(arguments)
    try:
        driver.get(arguments.base + "articles/" + arguments.article)
        headline = wait(driver).until(
            shown.presence_of_element_located((By.CSS_SELECTOR, "article.story h1"))
        )
        image = driver.find_element(By.CSS_SELECTOR, "figure.story-photo img")
        driver.execute_script("arguments[0].scrollIntoView()", image)
        wait(driver).until(lambda driver: loaded(driver, image))
        size = driver.execute_script(
            "return [arguments[0].naturalWidth, arguments[0].naturalHeight, arguments[0].currentSrc]",
            image,
        )
        captions = driver.find_elements(By.CSS_SELECTOR, "figure.story-photo figcaption .caption")
        # The body as CommonMark made it: a quote, a list, a table; the hostile lines inert.
        driver.set_window_size(1280, 1800)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(arguments.screenshots, "article.png"))
        text = lambda selector: [element.text for element in driver.find_elements(By.CSS_SELECTOR, selector)]
        return {
            "headline": headline.text,
            "image": size[2],
            "naturalWidth": size[0],
            "naturalHeight": size[1],
            "caption": captions[0].text if captions else None,
            "signedIn": len(driver.find_elements(By.CSS_SELECTOR, ".signed-in")) > 0,
            "editorSections": len(driver.find_elements(By.ID, "publication")),
            "quotes": text(".story-text blockquote"),
            "listItems": text(".story-text li"),
            "tableCells": text(".story-text td"),
            "strong": text(".story-text strong"),
            "links": [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".story-text a")],
            "scripts": len(driver.find_elements(By.CSS_SELECTOR, ".story-text script, .story-text iframe")),
            "alerted": alerted(driver),
        }
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", required=True, help="the folder of photos to upload")
    parser.add_argument("--files", type=int, required=True, help="how many photos it holds")
    parser.add_argument("--caption-file", required=True, help="the file (its name) to caption")
    parser.add_argument("--caption", required=True)
    parser.add_argument("--article", required=True, help="the draft article's slug")
    parser.add_argument("--preset", default="hero", help="the crop aspect to choose")
    arguments, password = parse_session(parser)

    report = {}
    driver = None
    try:
        driver = start_browser(arguments)
        report["signedInAs"] = sign_in(driver, arguments.base, arguments.user, password)
        report["outcomes"], report["summary"] = upload_folder(
            driver, arguments.base, arguments.folder, arguments.files, arguments.screenshots
        )
        report["captioned"], report["saved"] = caption_from_results(
            driver, arguments.caption_file, arguments.caption
        )
        report["crop"] = link_and_crop(
            driver,
            arguments.base,
            arguments.article,
            report["captioned"],
            arguments.preset,
            arguments.screenshots,
        )
        report["publication"] = publish_now(driver)
        driver.quit()
        driver = None
        report["reader"] = read_as_reader(arguments)
    except FAILURES as error:
        return report_failure(error, driver, arguments.screenshots)
    finally:
        if driver is not None:
            driver.quit()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
